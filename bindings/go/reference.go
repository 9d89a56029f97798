package usagedb

/*
#include "usage_db.h"
*/
import "C"

import "context"

// Ptr returns a pointer to a copy of v, for the optional arguments and fields of this
// package: Ptr(int64(8080)), Ptr("gpu-01").
func Ptr[T any](v T) *T {
	return &v
}

// getOrCreateByName runs one of the get_or_create calls that take a name and return an
// integer id.
func (o *ops) getOrCreateByName(
	ctx context.Context,
	op, field, name string,
	call func(db *C.UsageDb, name *C.char, out *C.int64_t) C.UsageDbStatus,
) (int64, error) {
	args := newCArgs(op)
	defer args.free()
	cName := args.text(field, name)
	if args.err != nil {
		return 0, args.err
	}

	var id C.int64_t
	err := o.call(ctx, op, func(db *C.UsageDb) C.UsageDbStatus { return call(db, cName, &id) })
	return int64(id), err
}

// GetOrCreateGroup returns the id of the group named groupName, creating it when
// missing. An empty name returns ErrInvalidArgument.
func (o *ops) GetOrCreateGroup(ctx context.Context, groupName string) (int64, error) {
	return o.getOrCreateByName(ctx, "get_or_create_group", "group_name", groupName,
		func(db *C.UsageDb, name *C.char, out *C.int64_t) C.UsageDbStatus {
			return C.usage_db_get_or_create_group(db, name, out)
		})
}

// GetOrCreateProject returns the id of the project named cloudProjectName, creating it
// when missing.
func (o *ops) GetOrCreateProject(ctx context.Context, cloudProjectName string) (int64, error) {
	return o.getOrCreateByName(ctx, "get_or_create_project", "cloud_project_name", cloudProjectName,
		func(db *C.UsageDb, name *C.char, out *C.int64_t) C.UsageDbStatus {
			return C.usage_db_get_or_create_project(db, name, out)
		})
}

// GetOrCreateMachine returns the id of the machine named machineName, creating it when
// missing.
func (o *ops) GetOrCreateMachine(ctx context.Context, machineName string) (int64, error) {
	return o.getOrCreateByName(ctx, "get_or_create_machine", "machine_name", machineName,
		func(db *C.UsageDb, name *C.char, out *C.int64_t) C.UsageDbStatus {
			return C.usage_db_get_or_create_machine(db, name, out)
		})
}

// GetOrCreateUser creates the user userID (the platform's own string id), or updates
// its display name and group where they are non-nil. A nil value leaves the stored one
// as it is, and a group named here is created when missing. It returns userID.
func (o *ops) GetOrCreateUser(ctx context.Context, userID string, displayName, groupName *string) (string, error) {
	const op = "get_or_create_user"

	args := newCArgs(op)
	defer args.free()
	cUser := args.text("user_id", userID)
	cDisplay := args.optionalText("display_name", displayName)
	cGroup := args.optionalText("group_name", groupName)
	if args.err != nil {
		return "", args.err
	}

	err := o.call(ctx, op, func(db *C.UsageDb) C.UsageDbStatus {
		return C.usage_db_get_or_create_user(db, cUser, cDisplay, cGroup)
	})
	if err != nil {
		return "", err
	}
	return userID, nil
}

// GetOrCreateInstance returns the id of the instance with exactly this host, port and
// raw label, creating it when there is none. port (0 to 65535) and rawLabel may be nil
// for absent; an absent value only matches an absent one.
func (o *ops) GetOrCreateInstance(ctx context.Context, host string, port *int64, rawLabel *string) (int64, error) {
	const op = "get_or_create_instance"

	args := newCArgs(op)
	defer args.free()
	cHost := args.text("host", host)
	cLabel := args.optionalText("raw_label", rawLabel)
	if args.err != nil {
		return 0, args.err
	}
	cPort := optionalInt64(port)

	var id C.int64_t
	err := o.call(ctx, op, func(db *C.UsageDb) C.UsageDbStatus {
		return C.usage_db_get_or_create_instance(db, cHost, cPort, cLabel, &id)
	})
	return int64(id), err
}

// MapUserProject makes userID a member of the project given by exactly one of projectID
// and cloudProjectName; both or neither return ErrInvalidArgument. A project named here
// is created when missing; an unknown user or project id returns ErrNotFound. Mapping
// twice is harmless.
func (o *ops) MapUserProject(ctx context.Context, userID string, projectID *int64, cloudProjectName *string) error {
	const op = "map_user_project"

	args := newCArgs(op)
	defer args.free()
	cUser := args.text("user_id", userID)
	cProject := args.optionalText("cloud_project_name", cloudProjectName)
	if args.err != nil {
		return args.err
	}
	cProjectID := optionalInt64(projectID)

	return o.call(ctx, op, func(db *C.UsageDb) C.UsageDbStatus {
		return C.usage_db_map_user_project(db, cUser, cProjectID, cProject)
	})
}

// MapProjectMachine assigns a machine to a project. The project is given by exactly one
// of projectID and cloudProjectName, the machine by exactly one of machineID and
// machineName. Names create what is missing; unknown ids return ErrNotFound. Mapping
// twice is harmless.
func (o *ops) MapProjectMachine(
	ctx context.Context,
	projectID *int64, cloudProjectName *string,
	machineID *int64, machineName *string,
) error {
	const op = "map_project_machine"

	args := newCArgs(op)
	defer args.free()
	cProject := args.optionalText("cloud_project_name", cloudProjectName)
	cMachine := args.optionalText("machine_name", machineName)
	if args.err != nil {
		return args.err
	}
	cProjectID := optionalInt64(projectID)
	cMachineID := optionalInt64(machineID)

	return o.call(ctx, op, func(db *C.UsageDb) C.UsageDbStatus {
		return C.usage_db_map_project_machine(db, cProjectID, cProject, cMachineID, cMachine)
	})
}

// StartWorkspace registers a running workspace and returns its id. startedAt is a
// timestamp as for facts; userID and projectID may be nil. Every id given must exist,
// or it returns ErrNotFound.
func (o *ops) StartWorkspace(
	ctx context.Context,
	instanceID, machineID int64,
	startedAt string,
	userID *string, projectID *int64,
) (int64, error) {
	const op = "start_workspace"

	args := newCArgs(op)
	defer args.free()
	cStarted := args.text("started_at_iso_utc", startedAt)
	cUser := args.optionalText("user_id", userID)
	if args.err != nil {
		return 0, args.err
	}
	cProjectID := optionalInt64(projectID)

	var id C.int64_t
	err := o.call(ctx, op, func(db *C.UsageDb) C.UsageDbStatus {
		return C.usage_db_start_workspace(db, C.int64_t(instanceID), C.int64_t(machineID),
			cStarted, cUser, cProjectID, &id)
	})
	return int64(id), err
}

// EndWorkspace removes a workspace from the active list. An id that is not active
// returns ErrNotFound.
func (o *ops) EndWorkspace(ctx context.Context, workspaceID int64) error {
	return o.call(ctx, "end_workspace", func(db *C.UsageDb) C.UsageDbStatus {
		return C.usage_db_end_workspace(db, C.int64_t(workspaceID))
	})
}
