#!/bin/bash
# make check-long: tests/qemu/nmi-storm.sh with 10 serial and 10 TFTP dumps under NMIs every millisecond.
NMI_RUNS=${NMI_RUNS:-10} exec bash "$(dirname "$0")/../qemu/nmi-storm.sh"
