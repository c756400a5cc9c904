/* common/version.h - the zkaudit release number. */
#ifndef ZA_COMMON_VERSION_H
#define ZA_COMMON_VERSION_H

#define ZA_VERSION "0.1.0"

#endif
