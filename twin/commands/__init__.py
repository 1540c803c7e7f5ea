"""Sub-commands of the ``twin`` CLI, one module each.

Each module defines ``register(subparsers)`` which adds its parser(s) and sets ``func`` (a
callable taking the parsed ``argparse.Namespace`` and returning an exit status). Heavy
imports happen inside ``func`` so that ``twin --help`` stays fast.
"""

COMMAND_MODULES = (
    "twin.commands.demo",
    "twin.commands.summary",
    "twin.commands.data",
    "twin.commands.shortages",
    "twin.commands.forecast",
    "twin.commands.dashboard",
    "twin.commands.scenario",
    "twin.commands.run",
    "twin.commands.batch",
    "twin.commands.compare",
    "twin.commands.validate",
)
