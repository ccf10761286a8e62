# Doxygen input filter for skiff's headers, which use plain // comments
# (Google C++ style): the opening comment of a file becomes its @file
# description, every other whole-line // comment a /// doc comment of the
# declaration below it, and a // comment after a member (`int x;  // why`) a
# ///< comment of that member. Other trailing comments and /// lines stay.
BEGIN { in_head = 1 }
in_head && /^\/\// {
  if (!started) { print "/// @file"; started = 1 }
  sub(/^\/\/ ?/, "/// ")
  print
  next
}
{ in_head = 0 }
/^[ \t]*\/\/([^\/]|$)/ { sub(/\/\//, "///") }
/[;,][ \t]+\/\/ / { sub(/[ \t]+\/\/ /, "  ///< ") }
{ print }
