#!/bin/sh
# /usr/bin/usp-agent: the agent's command line (usp-agent run ..., and the CLI subcommands).
# Found beside this script (../lib/usp-agent), so an unpacked package runs as the installed one.
exec node "$(dirname "$0")/../lib/usp-agent/bin/usp-agent.js" "$@"
