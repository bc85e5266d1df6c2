"""tandem: a Human + AI customer-support and complaints desk."""

__version__ = "0.1.0"
