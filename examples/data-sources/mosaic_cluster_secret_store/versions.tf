# Copy this folder as it is: it declares everything it uses.
terraform {
  required_version = ">= 1.8"
  required_providers {
    mosaic = {
      source  = "mosaicstack/mosaic"
      version = ">= 0.1.0"
    }
  }
}
