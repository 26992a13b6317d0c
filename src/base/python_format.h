// Python's text forms of values, for output that must match what the original Python tools
// printed or sent: repr(float) (also what json.dumps writes), repr(str) and
// repr(datetime.datetime).
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace pinpipe {

// repr(x) for a float: the shortest digits that round-trip, fixed notation when the decimal
// exponent is in [-4, 16), else scientific ("1e-05", "1.5e+16"); integral values keep ".0";
// "inf", "-inf", "nan".
void AppendPythonFloat(std::string* out, double x);
std::string PythonFloat(double x);

// repr(s) for a str given as UTF-8: single quotes unless the text holds a ' and no ", escapes
// backslash, the quote, \n \r \t, other control characters and non-printable code points
// (e.g. U+00A0 -> \xa0, U+2028 -> \u2028) as CPython does; printable Unicode is kept.
// Invalid UTF-8 bytes are shown as \xNN.
std::string PythonStrRepr(std::string_view utf8);

// repr(datetime.datetime(...)) for "YYYY-MM-DD HH:MM:SS[.ffffff]" or the ISO 'T' form:
// "datetime.datetime(2020, 8, 28, 3, 52, 47)", dropping a zero second and microsecond as
// CPython does. Text that is not such a datetime is returned as PythonStrRepr(text).
std::string PythonDatetimeRepr(std::string_view text);

}  // namespace pinpipe
