/*
 * fuzz.h - the libFuzzer entry point every target defines.  Built with
 * clang -fsanitize=fuzzer the targets fuzz; built with any compiler and
 * replay.c they replay their corpus as an ordinary test.
 */
#ifndef GL_FUZZ_H
#define GL_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
