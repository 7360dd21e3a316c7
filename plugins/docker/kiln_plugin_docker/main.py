"""The ``kiln-plugin-docker`` executable: the docker builder and its four post-processors.

Components are named as Packer's docker plugin names them: the builder ``-packer-default-plugin-name-``
is ``docker`` in templates, the post-processor ``tag`` is ``docker-tag``, and so on.
"""

from __future__ import annotations

from kiln_sdk import serve

VERSION = "1.0.0"
SOURCE = "github.com/hashicorp/docker"

COMPONENTS: dict[str, dict[str, str | type]] = {
    "builder": {"-packer-default-plugin-name-": "kiln_plugin_docker.builder:DockerBuilder"},
    "post-processor": {
        "import": "kiln_plugin_docker.post_processors:ImportPostProcessor",
        "tag": "kiln_plugin_docker.post_processors:TagPostProcessor",
        "save": "kiln_plugin_docker.post_processors:SavePostProcessor",
        "push": "kiln_plugin_docker.post_processors:PushPostProcessor",
    },
}


def main() -> None:
    serve(COMPONENTS, version=VERSION, source=SOURCE)


if __name__ == "__main__":
    main()
