import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Principal } from './principal.entity.js';

@Entity({ name: 'api_keys' })
export class ApiKey {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('api_keys_principal_idx')
  @Column({ name: 'principal_id', type: 'uuid' })
  principalId: string;

  @ManyToOne(() => Principal, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'principal_id', foreignKeyConstraintName: 'api_keys_principal_id_fkey' })
  principal?: Principal;

  /** SHA-256 of the key; the key itself is shown once and never stored. */
  @Column({ name: 'key_hash', type: 'char', length: 64, unique: true })
  keyHash: string;

  /** First characters of the key, so people can tell their keys apart. */
  @Column({ type: 'varchar', length: 16 })
  prefix: string;

  @Column({ type: 'text', nullable: true })
  label: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;
}
