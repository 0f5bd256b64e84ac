# Adopt existing environment mounts and policies.
terraform import mosaic_platform.this platform
