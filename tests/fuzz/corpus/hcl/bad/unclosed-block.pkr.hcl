source "null" "a" {
