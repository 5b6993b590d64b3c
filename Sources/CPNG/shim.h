#ifndef CPNG_SHIM_H
#define CPNG_SHIM_H
#include <png.h>
// Function-like macros do not import into Swift.
static inline size_t cpng_image_size(png_image image) { return PNG_IMAGE_SIZE(image); }
static inline int cpng_image_failed(png_image image) { return PNG_IMAGE_FAILED(image); }
#endif
