"""What leaves the service of a photo: a redacted copy (no EXIF, faces and licence plates blurred),
made once and stored beside the original, which stays internal for the photo checks."""
