"""The ``kiln-plugin-amazon`` executable: Packer's amazon plugin components, named as Packer names them
(``amazon-ebs``, ``amazon-ami``, ``amazon-parameterstore``, ``amazon-secretsmanager``)."""

from __future__ import annotations

import logging

from kiln_sdk import serve

VERSION = "1.0.0"
SOURCE = "github.com/hashicorp/amazon"

COMPONENTS: dict[str, dict[str, str | type]] = {
    "builder": {"ebs": "kiln_plugin_amazon.ebs:EBSBuilder"},
    "datasource": {"ami": "kiln_plugin_amazon.datasources:AmiDatasource",
                   "parameterstore": "kiln_plugin_amazon.datasources:ParameterStoreDatasource",
                   "secretsmanager": "kiln_plugin_amazon.datasources:SecretsManagerDatasource"},
}


def main() -> None:
    # botocore's DEBUG log has every request and response body (a secret a data source reads, the
    # credentials of an assumed role): pinned to INFO whatever the log level; its retries (throttling, 5xx)
    # are logged, at DEBUG.
    logging.getLogger("botocore").setLevel(logging.INFO)
    logging.getLogger("botocore.retries").setLevel(logging.DEBUG)
    logging.getLogger("botocore.retryhandler").setLevel(logging.DEBUG)
    serve(COMPONENTS, version=VERSION, source=SOURCE)


if __name__ == "__main__":
    main()
