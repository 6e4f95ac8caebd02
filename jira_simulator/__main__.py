"""`python -m jira_simulator OUTPUT_DIR`: write the demo programme's Jira sites."""

from jira_simulator.sites import main

raise SystemExit(main())
