import sys

from mitpractice.cli import main

sys.exit(main())
