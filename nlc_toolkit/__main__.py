import sys

from nlc_toolkit.cli import main

sys.exit(main())
