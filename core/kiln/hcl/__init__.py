"""HCL2 for kiln: Packer's template expression language, faithful to Packer 1.6.6's HCL.

Modules (import them directly):

* ``parse``: ``parse_body``, ``parse_expression``, ``parse_template`` -> ``syntax`` nodes with ranges
  (kiln's own scanner/parser following hclsyntax: ``lexer``, ``exprparser``, ``templates``, ``forexpr``)
* ``syntax``: ``Body``, ``Attribute``, ``Block``, expression nodes, ``Range``/``Pos``, ``Traversal``
* ``references``: ``traversals(expr)`` - the variables an expression uses (dependency ordering)
* ``context``: ``EvalContext`` (the variables and functions an expression sees)
* ``evaluate``: ``evaluate(expr, ctx)``; ``ops``, ``access``, ``branching``, ``iteration``, ``calls``
  hold the semantics of operators, indexing, conditionals, loops and calls (they receive the evaluator
  as an argument, so no module imports another to dodge a cycle)
* ``function``: the calling convention (``Function``, ``Param``, ``ArgError``, ``FunctionError``);
  ``functions``: the built-in function library
* ``values`` / ``convert`` / ``types`` / ``numbers`` / ``equality``: the cty-style value model,
  conversions, type constraints, 512-bit-faithful numbers and equality
* ``diagnostics``: ``HclDiagnostic``, ``DiagnosticError``; ``render``: their rendering in Packer's text form
* ``format``: ``console_value`` (how ``packer console`` prints a value)
"""
