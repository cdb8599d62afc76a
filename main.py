"""Start the kiosk: ``python main.py`` is the same as ``kiosk`` (without a verb, ``run``;
``python main.py --help`` lists the verbs)."""

import sys

from kiosk.__main__ import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
