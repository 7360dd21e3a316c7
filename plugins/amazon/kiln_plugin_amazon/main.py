"""The ``kiln-plugin-amazon`` executable: Packer's amazon plugin components, named as Packer names them
(``amazon-ebs``, ``amazon-ami``, ``amazon-parameterstore``, ``amazon-secretsmanager``)."""

from __future__ import annotations

from kiln_sdk import serve

VERSION = "1.0.0"
SOURCE = "github.com/hashicorp/amazon"

COMPONENTS: dict[str, dict[str, str | type]] = {
    "builder": {"ebs": "kiln_plugin_amazon.ebs:EBSBuilder"},
}


def main() -> None:
    serve(COMPONENTS, version=VERSION, source=SOURCE)


if __name__ == "__main__":
    main()
