"""Templates: load HCL2, HCL-JSON and legacy JSON templates into one model of builds to run."""
