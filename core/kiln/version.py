"""kiln's own version, and the Packer version whose templates and behaviour it follows."""

__version__ = "0.1.0"
PACKER_COMPAT_VERSION = "1.6.6"
