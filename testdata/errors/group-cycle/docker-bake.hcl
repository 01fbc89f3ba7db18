group "a" { targets = ["b"] }
group "b" { targets = ["a"] }
