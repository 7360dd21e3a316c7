locals {
  x = 
}
