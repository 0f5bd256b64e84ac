terraform {
  required_version = ">= 1.11"
  required_providers {
    mosaic = {
      source  = "mosaicstack/mosaic"
      version = ">= 0.1.0"
    }
  }
}
