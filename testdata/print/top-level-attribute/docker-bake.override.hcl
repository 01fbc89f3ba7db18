# Top-level attributes set the variables declared in docker-bake.hcl: the attribute replaces
# the default (and the variable's `type` is not applied: TAG stays a string), the environment
# still overrides it (VERSION).
REGISTRY = "registry.local"
TAG      = "3"
VERSION  = "from-override"
