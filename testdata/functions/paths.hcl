# paths: basename, dirname (buildx stdlib.go: Go's path.Base / path.Dir, slash-separated on
# every OS), homedir (injected: /home/tester), sanitize. buildx has no path `absolute`:
# its `absolute` is go-cty's numeric AbsoluteFunc (see numeric.hcl).
cases = {
  basename_corpus      = [basename("/a/b/file.txt"), "file.txt"]   # corpus 223
  basename_empty       = [basename(""), "."]                       # buildx stdlib_test.go
  basename_slash       = [basename("/"), "/"]                      # buildx stdlib_test.go
  basename_simple      = [basename("/foo/bar"), "bar"]             # buildx stdlib_test.go
  basename_relative    = [basename("foo/bar"), "bar"]              # buildx stdlib_test.go
  basename_dot         = [basename("/foo/bar."), "bar."]           # buildx stdlib_test.go
  basename_dotdot      = [basename("/foo/bar.."), "bar.."]         # buildx stdlib_test.go
  basename_dotdotdot   = [basename("/foo/bar..."), "bar..."]       # buildx stdlib_test.go
  basename_trailing    = [basename("/foo/bar/"), "bar"]            # trailing slashes are removed
  basename_slashes     = [basename("//"), "/"]
  basename_plain       = [basename("a"), "a"]
  basename_backslash   = [basename("a\\b"), "a\\b"]                # path.Base: '\' is not a separator
  dirname_corpus       = [dirname("/a/b/file.txt"), "/a/b"]        # corpus 223
  dirname_empty        = [dirname(""), "."]                        # buildx stdlib_test.go
  dirname_slash        = [dirname("/"), "/"]                       # buildx stdlib_test.go
  dirname_simple       = [dirname("/foo/bar"), "/foo"]             # buildx stdlib_test.go
  dirname_relative     = [dirname("foo/bar"), "foo"]               # buildx stdlib_test.go
  dirname_dot          = [dirname("/foo/bar."), "/foo"]            # buildx stdlib_test.go
  dirname_dotdot       = [dirname("/foo/bar.."), "/foo"]           # buildx stdlib_test.go
  dirname_dotdotdot    = [dirname("/foo/bar..."), "/foo"]          # buildx stdlib_test.go
  dirname_trailing     = [dirname("/foo/bar/"), "/foo/bar"]        # path.Dir splits at the last slash
  dirname_plain        = [dirname("a"), "."]
  dirname_root_child   = [dirname("/a"), "/"]
  dirname_double       = [dirname("a//b"), "a"]
  dirname_cleaned      = [dirname("./a/../b/c"), "b"]              # the result is path.Clean'ed
  homedir_injected     = [homedir(), "/home/tester"]
  homedir_joined       = ["${homedir()}/.docker", "/home/tester/.docker"]
  sanitize_path        = [sanitize("foo/bar"), "foo_bar"]          # buildx stdlib_test.go
  sanitize_plain       = [sanitize("foobar"), "foobar"]            # buildx stdlib_test.go
  sanitize_dot         = [sanitize("foo/bar."), "foo_bar_"]        # buildx stdlib_test.go
}
errors = {
  basename_of_list     = basename(["a"])
  dirname_no_args      = dirname()
  homedir_with_arg     = homedir("x")
}
