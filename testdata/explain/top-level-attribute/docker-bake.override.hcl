IMAGE = "${REGISTRY}/app"
