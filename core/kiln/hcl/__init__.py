"""HCL2 for kiln: parse tree to expressions with source ranges, cty-style values, evaluation, functions."""
