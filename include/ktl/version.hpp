// ktl version macros. CMake checks that these match project(ktl VERSION ...).
#pragma once

/// ktl's semantic version (major.minor.patch), the same as the CMake package's.
#define KTL_VERSION_MAJOR 0
#define KTL_VERSION_MINOR 1
#define KTL_VERSION_PATCH 0
