# Adopt existing environment mounts and policies.
import {
  to = mosaic_platform.this
  id = "platform"
}
