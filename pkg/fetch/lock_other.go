//go:build !(unix && !aix) && !windows

package fetch

import (
	"errors"
	"os"
)

// errLockUnsupported is returned by [Cache.Lock] on platforms without file
// locking: the cache can be read (offline) but not written.
var errLockUnsupported = errors.New("file locking is not supported on this platform; the cache can only be read (offline)")

func tryLock(*os.File) (bool, error) { return false, errLockUnsupported }

func unlockFile(*os.File) error { return nil }
