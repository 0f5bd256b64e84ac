package lint

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	gitignore "github.com/sabhiram/go-gitignore"
)

// Files lists the files a repository commits under the given paths, relative to root: inside a
// git work tree what git tracks plus untracked files that are not ignored; elsewhere the tree,
// honouring every .gitignore on the way (and never .git itself).
func Files(root string, paths []string) ([]string, error) {
	if len(paths) == 0 {
		paths = []string{"."}
	}
	if inGitWorkTree(root) {
		args := append([]string{"-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--"}, paths...)
		out, err := exec.Command("git", args...).Output()
		if err == nil {
			var files []string
			seen := map[string]bool{}
			for _, f := range bytes.Split(out, []byte{0}) {
				name := filepath.ToSlash(string(f))
				if name == "" || seen[name] {
					continue
				}
				// A file deleted in the work tree but still tracked is not there to lint. Symlinks
				// are listed: their names can break a rule, and their skip is reported.
				if st, err := os.Lstat(filepath.Join(root, name)); err != nil || !st.Mode().IsRegular() && st.Mode()&os.ModeSymlink == 0 {
					continue
				}
				seen[name] = true
				files = append(files, name)
			}
			return files, nil
		}
	}
	return walk(root, paths)
}

func inGitWorkTree(root string) bool {
	out, err := exec.Command("git", "-C", root, "rev-parse", "--is-inside-work-tree").Output()
	return err == nil && strings.TrimSpace(string(out)) == "true"
}

// walk lists files under paths, skipping what the .gitignore files on the way ignore.
func walk(root string, paths []string) ([]string, error) {
	var files []string
	for _, p := range paths {
		start := filepath.Join(root, p)
		var scopes []ignoreScope
		err := filepath.WalkDir(start, func(full string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, full)
			rel = filepath.ToSlash(rel)
			if d.IsDir() {
				if d.Name() == ".git" {
					return filepath.SkipDir
				}
				// Leave scopes that do not contain this directory.
				for len(scopes) > 0 && !within(rel, scopes[len(scopes)-1].dir) {
					scopes = scopes[:len(scopes)-1]
				}
				if rel != "." && ignored(rel+"/", scopes) {
					return filepath.SkipDir
				}
				if gi, err := gitignore.CompileIgnoreFile(filepath.Join(full, ".gitignore")); err == nil {
					dir := rel
					if dir == "." {
						dir = ""
					}
					scopes = append(scopes, ignoreScope{dir: dir, gi: gi})
				}
				return nil
			}
			for len(scopes) > 0 && !within(rel, scopes[len(scopes)-1].dir) {
				scopes = scopes[:len(scopes)-1]
			}
			if (d.Type().IsRegular() || d.Type()&fs.ModeSymlink != 0) && !ignored(rel, scopes) {
				files = append(files, rel)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return files, nil
}

func within(rel, dir string) bool {
	return dir == "" || rel == dir || strings.HasPrefix(rel, dir+"/")
}

// ignoreScope is a .gitignore and the directory it applies to (relative, "" for the root).
type ignoreScope struct {
	dir string
	gi  *gitignore.GitIgnore
}

// ignored applies each .gitignore to the path relative to its own directory.
func ignored(rel string, scopes []ignoreScope) bool {
	for _, s := range scopes {
		if s.gi.MatchesPath(strings.TrimPrefix(strings.TrimPrefix(rel, s.dir), "/")) {
			return true
		}
	}
	return false
}
