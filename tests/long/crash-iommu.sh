#!/bin/bash
# The IOMMU combinations make check leaves out (tests/linux/crash-iommu.sh runs VT-d + e1000e and
# AMD-Vi + virtio-net there): VT-d with virtio-net and AMD-Vi with e1000e, checked the same way.
IOMMU_CASES="intel-virtio amd-e1000e" exec bash "$(dirname "$0")/../linux/crash-iommu.sh"
