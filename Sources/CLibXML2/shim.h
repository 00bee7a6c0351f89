// Debian builds libxml2 with ICU, so encoding.h pulls in ICU's headers, whose types clash with the copy
// of ICU inside Foundation when one Swift module imports both. Quarry never touches the ICU parts of
// libxml2 (it only passes encoding handlers around by pointer), so the ICU declarations are left out.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/xmlreader.h>
#include <libxml/parser.h>
