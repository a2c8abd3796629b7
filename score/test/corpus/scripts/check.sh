#!/bin/sh
# Checks that the workspace has a report.
test -f "$1/report.md"
