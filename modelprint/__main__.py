from modelprint.cli import main

raise SystemExit(main())
