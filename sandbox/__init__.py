"""A local TusFacturas.app API sandbox, for tests and for trying the addon."""

from .server import SandboxServer
