gh-archive_LIBS := -lsqlite3
