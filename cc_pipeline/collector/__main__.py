"""``python -m cc_pipeline.collector``: the receiver process the local stack manages."""

from cc_pipeline.collector.commands import main

raise SystemExit(main())
