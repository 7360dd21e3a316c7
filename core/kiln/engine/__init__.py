"""The build engine: prepare every component of every build, then run builds, provisioners and
post-processor chains, each component in its own plugin process."""
