package commands

import "sluice/kernel"

// parseRefPolicy recognizes KEEPREF, DELREF and ACKED.
func parseRefPolicy(b []byte) (kernel.RefPolicy, bool) {
	switch {
	case equal(b, "keepref"):
		return kernel.KeepRef, true
	case equal(b, "delref"):
		return kernel.DelRef, true
	case equal(b, "acked"):
		return kernel.AckedRef, true
	}
	return kernel.KeepRef, false
}
