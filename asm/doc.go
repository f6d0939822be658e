// Package asm holds the hand-written amd64 assembly kernels of plasticity and
// their Go declarations, nothing else. The functions trust their callers:
// package linalg checks lengths and bounds, picks a kernel by CPU feature, and
// handles the elements that do not fill a whole vector block. Each kernel here
// processes only whole blocks of 8 float32 lanes, as its comment says.
//
// On other architectures, with another compiler, or with the purego build tag
// the package is empty and linalg runs its pure-Go kernels.
package asm
