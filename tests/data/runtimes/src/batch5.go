// A fifth batch of Go failures, through the logging libraries people
// use: logrus's text and JSON lines with an error field, logrus's Panic,
// zap's production JSON and development console lines with the caller's
// stack, zap's Panic, zerolog's JSON line.
package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"

	"github.com/rs/zerolog"
	"github.com/sirupsen/logrus"
	"go.uber.org/zap"
)

var errNoStock = errors.New("no stock")

func reserve(sku string) error {
	if _, err := strconv.Atoi(sku); err != nil {
		return fmt.Errorf("reserve %s (%d left): %w", sku, len(sku), errNoStock)
	}
	return nil
}

func checkout(sku string) error {
	if err := reserve(sku); err != nil {
		return fmt.Errorf("checkout: %w", err)
	}
	return nil
}

func main() {
	what, val := os.Args[1], os.Args[2]
	switch what {
	case "logrus-text", "logrus-json":
		log := logrus.New()
		if what == "logrus-json" {
			log.SetFormatter(&logrus.JSONFormatter{})
		} else {
			log.SetFormatter(&logrus.TextFormatter{DisableColors: true, FullTimestamp: true})
		}
		if err := checkout(val); err != nil {
			log.WithError(err).WithField("sku", val).Error("order not placed")
		}
	case "logrus-panic":
		log := logrus.New()
		log.SetFormatter(&logrus.TextFormatter{DisableColors: true, FullTimestamp: true})
		if err := checkout(val); err != nil {
			log.WithField("sku", val).Panicf("cannot go on: %v", err)
		}
	case "zap-production", "zap-development":
		var log *zap.Logger
		if what == "zap-production" {
			log, _ = zap.NewProduction()
		} else {
			log, _ = zap.NewDevelopment()
		}
		defer log.Sync()
		if err := checkout(val); err != nil {
			log.Error("order not placed", zap.String("sku", val), zap.Error(err))
		}
	case "zap-panic":
		log, _ := zap.NewProduction()
		defer log.Sync()
		if err := checkout(val); err != nil {
			log.Panic("cannot go on", zap.Error(err))
		}
	case "zerolog":
		log := zerolog.New(os.Stderr).With().Timestamp().Logger()
		if err := checkout(val); err != nil {
			log.Error().Err(err).Str("sku", val).Msg("order not placed")
		}
	}
}
