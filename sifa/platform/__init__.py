"""The shared platform (大平台): everything the four functions stand on."""
