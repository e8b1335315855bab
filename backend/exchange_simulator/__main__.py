"""``python -m exchange_simulator [--port 8765 …]`` : le simulateur sans Django."""

from .cli import main

main()
