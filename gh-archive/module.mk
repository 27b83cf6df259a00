gh-archive_LIBS := -lsqlite3 -lpq
