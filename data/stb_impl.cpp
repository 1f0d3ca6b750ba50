// The one translation unit that compiles stb's implementations (Debian's libstb-dev ships them
// as single headers). CMake compiles this file with warnings off: the code is third-party.
//
// Only the formats minidl documents are compiled in (PNG, JPEG, BMP, GIF, TGA): fewer parsers
// reading files from anywhere means less attack surface, and these are the ones fuzzed.
#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
#define STBI_ONLY_BMP
#define STBI_ONLY_GIF
#define STBI_ONLY_TGA
#define STB_IMAGE_IMPLEMENTATION
#include <stb/stb_image.h>

#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>

#define STB_IMAGE_RESIZE_IMPLEMENTATION
#include <stb/stb_image_resize.h>
