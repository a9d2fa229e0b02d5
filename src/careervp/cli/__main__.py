import sys

from careervp.cli.app import main

sys.exit(main())
