import sys

from careervp.dal.cli.app import main

sys.exit(main())
