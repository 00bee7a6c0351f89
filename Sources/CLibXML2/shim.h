#include <libxml/xmlversion.h>
// libxml2's ICU hooks pull the system ICU headers, which clash with the ICU copy inside Foundation when
// a Swift file sees both modules (release builds with cross-module optimisation do). Quarry never uses
// them, so hide them.
#undef LIBXML_ICU_ENABLED
#include <libxml/xmlreader.h>
#include <libxml/parser.h>
