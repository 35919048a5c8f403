from legacy_coro._main import main

raise SystemExit(main())
